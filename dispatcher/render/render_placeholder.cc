// Replaced by the render module.
