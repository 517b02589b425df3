print("gahp-conformance: not built yet")
