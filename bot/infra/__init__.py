"""Infrastructure: YAML loading, the SQL store, settings from the environment."""
