// Replaced by the formatters.
