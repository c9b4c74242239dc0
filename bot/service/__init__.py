"""The application service: the assistant around the engine, recording, live reload, privacy."""
