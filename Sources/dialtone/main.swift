// Thin entry point: every command lives in its own file.
print("dialtone")
