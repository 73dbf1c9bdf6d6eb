// Replaced by the checks module.
