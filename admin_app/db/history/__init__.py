"""The change history: how a change is recorded (rule 9), and the history across records."""
