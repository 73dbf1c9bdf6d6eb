// Replaced by the clients.
