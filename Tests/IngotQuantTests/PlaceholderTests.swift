import Testing
@testable import IngotQuant

@Test func moduleLoads() {}
