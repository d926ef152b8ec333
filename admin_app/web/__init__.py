"""What Starlette serves beside the Reflex pages: the JSON API, CSV exports, the health check, license
activations, and the headers and limits every response gets.
"""
