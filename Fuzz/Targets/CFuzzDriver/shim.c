// Empty: the header declares a function libFuzzer provides at link time.
