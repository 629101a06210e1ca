using Microsoft.ML;

namespace GradientWatch.ML.Tests.Support;

/// <summary>
/// Entry point of the test assembly when it runs as a child process (<c>dotnet GradientWatch.ML.Tests.dll predict
/// task model.zip out.txt</c>): a fresh process that has never trained or registered anything loads the model with
/// plain <c>ml.Model.Load</c> and writes its predictions on the task's data set, bit for bit. The test runner does
/// not use it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 4 || args[0] != "predict")
        {
            Console.Error.WriteLine("usage: predict <regression|binary|multiclass> <model.zip> <out.txt>");
            return 2;
        }

        var ml = new MLContext(seed: 123);
        var model = ml.Model.Load(args[2], out _);
        var data = SaveLoadData.For(ml, args[1]);
        File.WriteAllText(args[3], Predictions.Bits(model.Transform(data), args[1]));
        return 0;
    }
}
