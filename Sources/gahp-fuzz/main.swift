import FuzzSupport

FuzzHarness.main(GAHPFuzz.run)
