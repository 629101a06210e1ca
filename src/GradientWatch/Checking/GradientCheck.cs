using System.Diagnostics;
using GradientWatch.Capture;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>
/// Verifies a module's autograd gradients against central finite differences of the loss,
/// (L(w+h) − L(w−h)) / 2h, on a seeded sample of elements per parameter. Use it on custom modules and
/// custom autograd functions: a wrong backward shows up as a failing layer with its worst element.
/// </summary>
/// <example>
/// <code>
/// var report = GradientCheck.Run(model, m => loss_fn.call(m.call(x), y),
///     new GradientCheckOptions { ModuleFactory = () => new MyNet() });
/// Console.WriteLine(report);            // per-parameter errors and verdict
/// if (!report.Passed) throw new Exception(report.Failures[0].Layer);
/// </code>
/// </example>
public static class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="module"/>'s gradients of <paramref name="loss"/>. The loss closure receives the module
    /// to evaluate (a float64 copy when <see cref="GradientCheckOptions.ModuleFactory"/> is set) and must return a
    /// scalar; it must be deterministic (no dropout sampling). The module's weights are never changed, and its
    /// gradients are restored afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, or the loss is not a scalar.</exception>
    public static GradientCheckReport Run(nn.Module module, Func<nn.Module, Tensor> loss, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(loss);
        options ??= new GradientCheckOptions();
        options.Validate();
        TorchSharpBackend.EnsureAvailable();
        var stopwatch = Stopwatch.StartNew();

        var (target, owned) = PrepareTarget(module, options);
        try
        {
            bool float64 = target.parameters().All(p => p.dtype == ScalarType.Float64);
            string precision = float64 ? "float64" : target.parameters().FirstOrDefault()?.dtype.ToString().ToLowerInvariant() ?? "float32";
            double h = options.StepSize ?? (float64 ? 1e-6 : 1e-2);
            double rtol = options.RelativeTolerance ?? (float64 ? 1e-4 : 5e-2);
            double atol = options.AbsoluteTolerance ?? (float64 ? 1e-7 : 1e-3);
            var results = Check(target, loss, options, h, rtol, atol, restoreGradients: !owned);
            return new GradientCheckReport
            {
                Results = results,
                Precision = precision,
                StepSize = h,
                RelativeTolerance = rtol,
                AbsoluteTolerance = atol,
                Elapsed = stopwatch.Elapsed,
            };
        }
        finally
        {
            if (owned)
            {
                target.Dispose();
            }
        }
    }

    private static (nn.Module Target, bool Owned) PrepareTarget(nn.Module module, GradientCheckOptions options)
    {
        bool alreadyFloat64 = module.parameters().All(p => p.dtype == ScalarType.Float64);
        if (alreadyFloat64 || options.ModuleFactory is null)
        {
            return (module, false);
        }

        var copy = options.ModuleFactory() ?? throw new ArgumentException("GradientCheckOptions.ModuleFactory returned null.", nameof(options));
        try
        {
            copy.load_state_dict(module.state_dict());
        }
        catch (Exception ex)
        {
            copy.Dispose();
            throw new ArgumentException("GradientCheckOptions.ModuleFactory must create the same architecture as the checked module: loading its weights failed. " + ex.Message, nameof(options), ex);
        }

        // Keep the copy's frozen parameters frozen, as in the original.
        var frozen = module.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        foreach (var (name, p) in copy.named_parameters())
        {
            p.requires_grad = !frozen.Contains(name);
        }

        copy.to(ScalarType.Float64);
        if (!module.training)
        {
            copy.eval();
        }

        return (copy, true);
    }

    private static List<GradientCheckResult> Check(nn.Module target, Func<nn.Module, Tensor> loss, GradientCheckOptions options, double h, double rtol, double atol, bool restoreGradients)
    {
        var named = target.named_parameters().ToList();
        Tensor?[] saved = restoreGradients ? named.Select(p => p.parameter.grad is { } g ? g.detach().clone().DetachFromDisposeScope() : null).ToArray() : Array.Empty<Tensor?>();
        try
        {
            foreach (var (_, p) in named)
            {
                if (p.grad is { } g)
                {
                    using (torch.no_grad())
                    {
                        g.zero_();
                    }
                }
            }

            double l0;
            var analytic = new double[named.Count][];
            using (var scope = torch.NewDisposeScope())
            {
                var l = loss(target);
                if (l.numel() != 1)
                {
                    throw new ArgumentException($"The loss closure must return a scalar; it returned shape [{string.Join(", ", l.shape)}].", nameof(loss));
                }

                l.backward();
                l0 = l.detach().cpu().to_type(ScalarType.Float64).item<double>();
                for (int i = 0; i < named.Count; i++)
                {
                    var p = named[i].parameter;
                    if (p.requires_grad)
                    {
                        using var g = p.grad;
                        analytic[i] = g is null ? new double[p.numel()] : g.detach().cpu().to_type(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();
                    }
                }
            }

            int trainable = named.Count(p => p.parameter.requires_grad);
            int perParameter = Math.Max(1, Math.Min(options.MaxElementsPerParameter, options.MaxElements / Math.Max(1, trainable)));
            var rng = new Random(options.Seed);
            var results = new List<GradientCheckResult>(named.Count);
            for (int i = 0; i < named.Count; i++)
            {
                var (name, p) = named[i];
                string layer = LayerMap.LayerNameFor(name, LayerGrouping.OwningModule, 1);
                if (!p.requires_grad)
                {
                    results.Add(new GradientCheckResult { Parameter = name, Layer = layer, Passed = true, Frozen = true, ElementCount = p.numel() });
                    continue;
                }

                results.Add(CheckParameter(target, loss, name, layer, p, analytic[i], l0, Sample(p.numel(), perParameter, rng), h, rtol, atol));
            }

            return results;
        }
        finally
        {
            if (restoreGradients)
            {
                for (int i = 0; i < named.Count; i++)
                {
                    var p = named[i].parameter;
                    if (saved[i] is { } s)
                    {
                        p.grad = s;
                    }
                    else if (p.grad is { } g)
                    {
                        using (torch.no_grad())
                        {
                            g.zero_();
                        }
                    }
                }
            }
        }
    }

    private static GradientCheckResult CheckParameter(nn.Module target, Func<nn.Module, Tensor> loss, string name, string layer, TorchSharp.Modules.Parameter p, double[] analytic, double l0, long[] indices, double h, double rtol, double atol)
    {
        double maxAbs = 0, maxRel = 0, worstExcess = -1, worstA = 0, worstN = 0;
        long worst = -1;
        int kinks = 0;
        bool passed = true;
        using var flat = p.detach().view(-1);
        foreach (long index in indices)
        {
            double original;
            using (var e = flat[index])
            {
                original = e.to_type(ScalarType.Float64).item<double>();
            }

            double plus = Evaluate(target, loss, flat, index, original + h);
            double minus = Evaluate(target, loss, flat, index, original - h);
            Set(flat, index, original); // exact: the value was read from this tensor's own dtype
            double numeric = (plus - minus) / (2 * h);
            double a = analytic[index];
            double scale = Math.Max(Math.Abs(a), Math.Abs(numeric));
            double abs = Math.Abs(a - numeric);
            double allowed = atol + (rtol * scale);
            bool ok = abs <= allowed || (double.IsNaN(a) && double.IsNaN(numeric));
            if (!ok)
            {
                // A kink (ReLU at 0, |x| at 0): the one-sided slopes disagree and autograd picked one of them.
                double forward = (plus - l0) / h;
                double backward = (l0 - minus) / h;
                double sided = atol + (rtol * Math.Max(Math.Abs(forward), Math.Abs(backward)));
                bool kink = Math.Abs(forward - backward) > 10 * sided && (Math.Abs(a - forward) <= sided || Math.Abs(a - backward) <= sided);
                if (kink)
                {
                    kinks++;
                    continue;
                }

                passed = false;
            }

            double rel = scale > 0 ? abs / scale : 0;
            maxAbs = Math.Max(maxAbs, abs);
            maxRel = Math.Max(maxRel, rel);
            double excess = abs / allowed;
            if (excess > worstExcess || double.IsNaN(excess))
            {
                worstExcess = excess;
                worst = index;
                worstA = a;
                worstN = numeric;
            }
        }

        return new GradientCheckResult
        {
            Parameter = name,
            Layer = layer,
            Passed = passed,
            ElementCount = p.numel(),
            ElementsChecked = indices.Length,
            MaxAbsoluteError = maxAbs,
            MaxRelativeError = maxRel,
            WorstIndex = worst < 0 ? Array.Empty<long>() : Unravel(worst, p.shape),
            WorstAnalytic = worstA,
            WorstNumeric = worstN,
            NonDifferentiablePoints = kinks,
        };
    }

    private static double Evaluate(nn.Module target, Func<nn.Module, Tensor> loss, Tensor flat, long index, double value)
    {
        Set(flat, index, value);
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            return loss(target).detach().cpu().to_type(ScalarType.Float64).item<double>();
        }
    }

    private static void Set(Tensor flat, long index, double value)
    {
        using (torch.no_grad())
        using (var e = flat[index])
        {
            e.fill_(value);
        }
    }

    private static long[] Sample(long count, int budget, Random rng)
    {
        if (count <= budget)
        {
            var all = new long[count];
            for (long i = 0; i < count; i++)
            {
                all[i] = i;
            }

            return all;
        }

        var chosen = new SortedSet<long>();
        while (chosen.Count < budget)
        {
            chosen.Add(rng.NextInt64(count));
        }

        return chosen.ToArray();
    }

    private static long[] Unravel(long flatIndex, long[] shape)
    {
        var index = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flatIndex % shape[d];
            flatIndex /= shape[d];
        }

        return index;
    }
}
