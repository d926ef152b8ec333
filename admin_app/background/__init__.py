"""What runs beside the app in each process: the outbox sender and its SMTP address, the active-license
marks, and the end of lapsed sessions.
"""
