"""The real-system test harness: toolchain (build and cache), control plane (processes),
world (seed fixtures), scenarios (the tests). Kept apart from the stack it tests."""
