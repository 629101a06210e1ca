namespace GradientWatch.Detection;

/// <summary>What the module tree contains, as plain data for the advice: depth, activations, normalization, residual and recurrent parts.</summary>
internal sealed record ModelProfile
{
    public int ParameterizedLayers { get; init; }

    public int SigmoidCount { get; init; }

    public int TanhCount { get; init; }

    public int ReluFamilyCount { get; init; }

    public int NormalizationCount { get; init; }

    public int ResidualHints { get; init; }

    public int PlainRnnCount { get; init; }

    public int LstmOrGruCount { get; init; }

    public int DropoutCount { get; init; }

    public static ModelProfile Empty { get; } = new();

    /// <summary>Builds a profile from module type names (for example <c>Sigmoid</c>, <c>LayerNorm</c>, <c>LSTM</c>).</summary>
    public static ModelProfile FromModuleTypes(IEnumerable<string> typeNames, int parameterizedLayers)
    {
        int sigmoid = 0, tanh = 0, relu = 0, norm = 0, residual = 0, rnn = 0, lstm = 0, dropout = 0;
        foreach (string name in typeNames)
        {
            string n = name.ToLowerInvariant();
            if (n is "sigmoid" or "logsigmoid" or "hardsigmoid")
            {
                sigmoid++;
            }
            else if (n is "tanh" or "hardtanh" or "tanhshrink")
            {
                tanh++;
            }
            else if (n.Contains("relu") || n is "gelu" or "silu" or "mish" or "elu" or "selu" or "celu")
            {
                relu++;
            }
            else if (n.Contains("norm"))
            {
                norm++;
            }
            else if (n is "lstm" or "gru" or "lstmcell" or "grucell")
            {
                lstm++;
            }
            else if (n is "rnn" or "rnncell")
            {
                rnn++;
            }
            else if (n.Contains("dropout"))
            {
                dropout++;
            }

            if (n.Contains("residual") || n.Contains("resnet") || n.Contains("skip") || n.StartsWith("res", StringComparison.Ordinal) || n.Contains("transformer"))
            {
                residual++;
            }
        }

        return new ModelProfile
        {
            ParameterizedLayers = parameterizedLayers,
            SigmoidCount = sigmoid,
            TanhCount = tanh,
            ReluFamilyCount = relu,
            NormalizationCount = norm,
            ResidualHints = residual,
            PlainRnnCount = rnn,
            LstmOrGruCount = lstm,
            DropoutCount = dropout,
        };
    }
}
