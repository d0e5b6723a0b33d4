"""The process layer: tests that start processes (real git on temp repositories, a fake openclaw
or npm, the language host stand-in's gRPC servers and programs). ./bin/test --process runs them."""
