import Foundation
import IngotFormat
import Testing

@testable import IngotQuant

/// Every mix against llama-quantize's own per-tensor types for SmolLM2-135M (fixtures/quant/recipes-smollm2.json,
/// written by scripts/kquant_recipes.py from the files llama-quantize produced): the same type for all 272 tensors.
@Suite struct RecipeFixtureTests {
    struct Fixture {
        let gqa: Int
        let shapes: [String: [Int]]
        let recipes: [String: [String: String]]
    }

    static let fixture: Fixture? = {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: QuantFixtures.dir + "/recipes-smollm2.json")),
            let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let gqa = o["gqa"] as? Int, let shapes = o["shapes"] as? [String: [Int]],
            let recipes = o["recipes"] as? [String: [String: String]]
        else { return nil }
        return Fixture(gqa: gqa, shapes: shapes, recipes: recipes)
    }()

    @Test(arguments: QuantRecipe.allCases)
    func typesEqualLlamaQuantizes(_ recipe: QuantRecipe) throws {
        let f = try #require(Self.fixture)
        let expected = try #require(f.recipes[recipe.rawValue])
        #expect(expected.count == 272)
        let names = f.shapes.keys.sorted()
        let policy = try QuantPolicy(recipe: recipe).prepared(names: names, gqa: f.gqa)
        for name in names {
            let shape = try #require(f.shapes[name])
            let d = TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: .f32, shape: shape, groupSize: nil))
            let mine: String
            switch policy.decide(d) {
            case let .quantize(t, _, _): mine = t.rawValue.uppercased()
            case .keep: mine = "F32"
            }
            #expect(mine == expected[name]?.uppercased(), "\(recipe.rawValue) \(name)")
        }
    }
}
