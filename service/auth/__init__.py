"""Authentication: login, logout, sessions and throttling."""
