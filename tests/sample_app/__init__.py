"""A module built on the kernel alone, in a few lines: the test that the kernel is enough for the next one."""
