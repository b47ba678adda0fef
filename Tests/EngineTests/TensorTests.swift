import Engine
import Testing

@Suite struct TensorTests {
  @Test func reshapedViewSharesStorage() {
    let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let v = t.reshaped([3, 2])
    v[5] = 60
    #expect(t[5] == 60)
    #expect(v.shape == [3, 2])
  }

  @Test func reusingKeepsBufferOnlyForSameShape() {
    let t = Tensor(zeros: [2, 2])
    #expect(Tensor.reusing(t, shape: [2, 2]) === t)
    #expect(Tensor.reusing(t, shape: [4]) !== t)
  }
}
