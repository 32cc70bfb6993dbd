"""Files people take away or bring in, when they are too large to answer in one request: exports
and imports run as jobs with progress, and the file waits for its owner until it expires."""
