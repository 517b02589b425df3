print("vm-gahp-fake: not built yet")
