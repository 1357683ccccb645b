package job

// Test-only names.
var JSONSize = jsonSize
