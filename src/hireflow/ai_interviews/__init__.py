"""AI interview sessions (UC-R1): configuration and links, the candidate's interview, events."""
