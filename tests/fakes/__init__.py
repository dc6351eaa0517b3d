"""Outside providers as real servers on loopback (never mocks)."""
