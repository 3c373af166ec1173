"""Benchmarks for Photo Finish: answer throughput and leaderboard latency (`python -m bench`)."""
