print("condor_vm-gahp: not built yet")
