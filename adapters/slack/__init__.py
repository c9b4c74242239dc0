"""The Slack adapter: slack-bolt listeners, Block Kit rendering, and the Socket Mode and HTTP runners."""
