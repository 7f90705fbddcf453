import Testing

@testable import IngotText

@Suite struct IngotTextModuleTests {
    @Test func moduleLinks() { _ = IngotText.self }
}
