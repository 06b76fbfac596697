"""`estate demo`: the platform end to end on one machine, on an embedded emulator."""
