"""In-app notifications: the bell. Rows per user, listed and marked read, pushed live over one
WebSocket (`hireflow.realtime`) when made. Other domains call `service.notify`."""
