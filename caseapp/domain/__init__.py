"""Pure domain rules: no Flask, no database. Everything here is tested as tables."""
