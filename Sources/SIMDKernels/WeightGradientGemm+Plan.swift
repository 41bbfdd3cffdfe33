import Synchronization

extension WeightGradientGemm {
    /// Consecutive rows of packed panel `panel` that are consecutive channels of one tap: panel rows
    /// row..<row+width hold channels channel..<channel+width of tap (tapY, tapX). Grid columns
    /// firstInside..<endInside have that tap's window column inside the source.
    struct Run {
        var panel: Int
        var row: Int
        var width: Int
        var channel: Int
        var tapY: Int
        var tapX: Int
        var firstInside: Int
        var endInside: Int
    }

    /// A row tile: `m` rows, read from packed panel `panel` from pixel `shift` on.
    struct PlannedTile {
        var panel: Int
        var shift: Int
        var m: Int
    }

    /// Which rows of A (tap, channel) each row tile computes, and the panels to pack for them.
    struct Plan {
        var tiles: [PlannedTile] = []
        /// Row i of tile t is C row cRows[t·mr + i].
        var cRows: [Int] = []
        /// The runs to pack, panel after panel; panel p's are runs[runStarts[p] ..< runStarts[p + 1]].
        var runs: [Run] = []
        var runStarts: [Int] = [0]

        var panelCount: Int { runStarts.count - 1 }

        /// A tile of C rows `rows` (row 0 repeated up to `mr`) reading the last panel from pixel `shift` on.
        /// A method, not a closure over the plan being built: captured, the plan lived in a heap box and
        /// planning a 4×4 layer's 384 tiles took ~18 µs of its 330.
        mutating func addTile<Rows: Collection<Int>>(shift: Int, rows: Rows, mr: Int) {
            tiles.append(PlannedTile(panel: panelCount - 1, shift: shift, m: rows.count))
            for row in rows { cRows.append(row) }
            for _ in rows.count..<mr { cRows.append(0) }
        }
    }

    /// Whole blocks of MR channels come first, one tile per tap. With `sharing` (the strips are single
    /// grid rows), the taps of a kernel row whose columns differ by a multiple of the stride read the same
    /// source pixels shifted by whole grid pixels, so they share one panel packed `extraColumns` wider
    /// (3×3 stride 1: three taps, one panel). The channels left over (channels % MR) of every tap follow,
    /// MR rows to a tile, each tile its own panel of one or more runs.
    func plan(mr: Int, sharing: Bool) -> Plan {
        var plan = Plan()
        let tileCount = (rows + mr - 1) / mr
        plan.tiles.reserveCapacity(tileCount)
        plan.cRows.reserveCapacity(tileCount * mr)
        plan.runs.reserveCapacity(tileCount * 2)
        plan.runStarts.reserveCapacity(tileCount + 1)
        let blockedChannels = channels / mr * mr
        for block in Swift.stride(from: 0, to: blockedChannels, by: mr) {
            for tapY in 0..<kernel {
                for phase in 0..<min(stride, kernel) {
                    for tapX in Swift.stride(from: phase, to: kernel, by: stride) {
                        if !sharing || tapX == phase {
                            plan.runs.append(run(panel: plan.panelCount, row: 0, width: mr, channel: block,
                                                 tapY: tapY, tapX: sharing ? phase : tapX))
                            plan.runStarts.append(plan.runs.count)
                        }
                        let firstRow = (tapY * kernel + tapX) * channels + block
                        plan.addTile(shift: sharing ? tapX / stride : 0, rows: firstRow..<(firstRow + mr), mr: mr)
                    }
                }
            }
        }
        let rest = (0..<(kernel * kernel)).flatMap { tap in (blockedChannels..<channels).map { tap * channels + $0 } }
        for first in Swift.stride(from: 0, to: rest.count, by: mr) {
            let rows = rest[first..<min(first + mr, rest.count)]
            for (i, row) in rows.enumerated() {
                if i > 0 && row == rows[rows.startIndex + i - 1] + 1 && row % channels != 0 {
                    plan.runs[plan.runs.count - 1].width += 1
                } else {
                    let tap = row / channels
                    plan.runs.append(run(panel: plan.panelCount, row: i, width: 1, channel: row % channels,
                                         tapY: tap / kernel, tapX: tap % kernel))
                }
            }
            plan.runStarts.append(plan.runs.count)
            plan.addTile(shift: 0, rows: rows, mr: mr)
        }
        return plan
    }

    /// `plan(mr:sharing:)`, kept per shape: a layer runs the same plan on every step, and building a 4×4×256
    /// layer's (384 tiles, 2304 C rows) was ~3% of its weight gradient's perf samples, before the fork.
    func cachedPlan(mr: Int, sharing: Bool) -> Plan {
        let key = PlanKey(kernel: kernel, stride: stride, padding: padding, channels: channels,
                          sourceWidth: sourceWidth, mr: mr, sharing: sharing)
        if let plan = planCache.withLock({ $0[key] }) { return plan }
        let plan = plan(mr: mr, sharing: sharing)
        planCache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[key] = plan
        }
        return plan
    }

    /// Everything `plan(mr:sharing:)` reads.
    struct PlanKey: Hashable {
        var kernel, stride, padding, channels, sourceWidth, mr: Int
        var sharing: Bool
    }

    /// Extra grid columns a shared panel holds past its strip: the largest shift, (kernel − 1) / stride.
    var extraColumns: Int { (kernel - 1) / stride }

    private func run(panel: Int, row: Int, width: Int, channel: Int, tapY: Int, tapX: Int) -> Run {
        Run(panel: panel, row: row, width: width, channel: channel, tapY: tapY, tapX: tapX,
            firstInside: ceilingDivision(padding - tapX, stride),
            endInside: floorDivision(sourceWidth - 1 + padding - tapX, stride) + 1)
    }
}

private let planCache = Mutex<[WeightGradientGemm.PlanKey: WeightGradientGemm.Plan]>([:])

/// ⌈a / b⌉ and ⌊a / b⌋ for b > 0 and any sign of a (Swift's `/` truncates toward zero).
private func ceilingDivision(_ a: Int, _ b: Int) -> Int { a > 0 ? (a + b - 1) / b : a / b }
private func floorDivision(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
