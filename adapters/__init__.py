"""Platform adapters: each turns platform events into questions and the engine's answers into replies."""
