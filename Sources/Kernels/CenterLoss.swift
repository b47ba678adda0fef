// Center loss (Wen, Zhang, Li, Qiao, "A Discriminative Feature Learning Approach for Deep Face
// Recognition", ECCV 2016) on the penultimate embedding. It is not in the authors' code
// (mfd-reference.md §4), so this follows the paper:
//
//   L_C = ½·(1/B)·Σ_b ‖x_b − c_{y_b}‖²   (weighted by λ_c in the total: L = L_CE + λ_c·L_C)
//   dL_C/dx_b = (x_b − c_{y_b}) / B
//
// The centres are not trained by SGD. Wen et al. (eq. 4 and Algorithm 1) move each centre after
// every mini-batch by
//
//   Δc_j = Σ_{b: y_b = j} (c_j − x_b) / (1 + n_j),   c_j ← c_j − α·Δc_j,   n_j = #{b: y_b = j},
//
// using the batch's embeddings and the centres before the update; classes absent from the batch
// do not move. (Wen et al.'s eq. 2 sums over the batch without 1/B; we take the mean so that λ_c
// weighs it against the mean cross-entropy. The common PyTorch port, KaiyangZhou's
// pytorch-center-loss, differs: no ½, distances clamped to [1e-12, 1e12], and the centres an
// `nn.Parameter` trained by their own SGD on dL/dc instead of this rule.)

/// Center loss forward: ½·(1/B)·Σ_b ‖x_b − c_{y_b}‖², in Double (unweighted by λ_c).
///
/// - features: [batch, dims]; centers: [classes, dims]; labels: [batch], already validated
public func centerLossForward(
  features: UnsafePointer<Float>, centers: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  batch: Int, dims: Int
) -> Float {
  guard batch > 0 else { return 0 }
  return withUnsafeTemporaryAllocation(of: Double.self, capacity: batch) { rowDistance in
    parallelFor(batch) { row in
      let x = features + row * dims, c = centers + Int(labels[row]) * dims
      var sum = 0.0
      for i in 0..<dims {
        let d = Double(x[i]) - Double(c[i])
        sum += d * d
      }
      rowDistance[row] = sum
    }
    var total = 0.0
    for row in 0..<batch { total += rowDistance[row] }
    return Float(0.5 * total / Double(batch))
  }
}

/// Center loss backward: gradInput = gradOutput + λ_c·(x_b − c_{y_b})/B, the gradient flowing
/// through the embedding plus λ_c times the center loss's own.
///
/// - features: [batch, dims]; centers: [classes, dims] (before the update); labels: [batch]
/// - gradOutput, gradInput: [batch, dims]; they may be the same buffer
public func centerLossBackward(
  features: UnsafePointer<Float>, centers: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  lambda: Float, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  batch: Int, dims: Int
) {
  let factor = lambda / Float(batch)
  parallelFor(batch) { row in
    let x = features + row * dims, c = centers + Int(labels[row]) * dims
    let g = gradOutput + row * dims, dx = gradInput + row * dims
    for i in 0..<dims { dx[i] = g[i] + factor * (x[i] - c[i]) }
  }
}

/// Wen et al.'s centre update: c_j ← c_j − α·Σ_{b: y_b = j}(c_j − x_b)/(1 + n_j) for every
/// class j in the batch. Sums in Double, classes in parallel, batch order within a class.
///
/// - features: [batch, dims]; labels: [batch], already validated
/// - centers: [classes, dims], updated in place
public func centerLossUpdateCenters(
  features: UnsafePointer<Float>, labels: UnsafePointer<Int32>, centers: UnsafeMutablePointer<Float>,
  alpha: Float, batch: Int, classes: Int, dims: Int
) {
  var members = [[Int]](repeating: [], count: classes)
  for row in 0..<batch { members[Int(labels[row])].append(row) }
  members.withUnsafeBufferPointer { members in
    parallelFor(classes) { j in
      let rows = members[j]
      guard !rows.isEmpty else { return }
      let c = centers + j * dims
      let denominator = Double(1 + rows.count)
      for i in 0..<dims {
        var delta = 0.0
        for row in rows { delta += Double(c[i]) - Double(features[row * dims + i]) }
        c[i] = Float(Double(c[i]) - Double(alpha) * delta / denominator)
      }
    }
  }
}
