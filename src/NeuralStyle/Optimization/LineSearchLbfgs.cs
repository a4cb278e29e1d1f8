using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// Limited-memory BFGS with a backtracking line search, driven one function evaluation at a time: the optimiser's loop
/// evaluates the loss and its gradient at the pixels, hands them to <see cref="Advance"/>, and finds the pixels moved to
/// the next point to evaluate. A trial point is accepted when it lowers the loss enough (the Armijo condition); otherwise
/// the step is shortened by quadratic interpolation and tried again, so no accepted step goes uphill.
/// </summary>
/// <remarks>
/// The direction is the two-loop recursion over the last <c>historySize</c> pairs of steps and gradient changes, with the
/// initial inverse Hessian scaled by <c>sᵀy / yᵀy</c> of the latest pair (Nocedal and Wright, Numerical Optimization,
/// algorithms 7.4 and 7.5). Pairs whose curvature <c>sᵀy</c> is not positive are not kept. The first step, along the
/// negative gradient, is <c>rate · min(1, 1 / ‖g‖₁)</c> long. All vectors are flat float32 copies in the pixels'
/// logical order, so the pixels' memory layout does not matter. Every vector it keeps, the history's included, is
/// allocated at the first evaluation and then updated in place, so that a run's memory layout is settled from its first
/// iteration: blocks added while the history filled up pushed each iteration's feature maps into fresh memory, which
/// the system then had to fault in. Owns its tensors: dispose it.
/// </remarks>
internal sealed class LineSearchLbfgs : IDisposable
{
    /// <summary>The sufficient-decrease constant of the Armijo condition.</summary>
    private const double SufficientDecrease = 1e-4;

    /// <summary>Shortened steps in a row after which the history is dropped and the search restarts along the gradient.</summary>
    private const int MaxBacktracks = 12;

    private readonly double _rate;
    private readonly double _tolerance;
    private readonly int _historySize;

    // The pairs kept, oldest first: rows of _steps and _changes, with 1 / sᵀy.
    private readonly List<(int Row, double Rho)> _history = new();

    // Rows of _steps and _changes that hold no pair; a trial's step and gradient change are written to the first.
    private readonly Stack<int> _freeRows = new();
    private Tensor? _steps;
    private Tensor? _changes;
    private Tensor? _point;
    private Tensor? _gradient;
    private Tensor? _direction;
    private double _loss;
    private double _step;
    private int _backtracks;
    private bool _restartedWithoutProgress;

    /// <summary>Initializes a new instance of the <see cref="LineSearchLbfgs"/> class.</summary>
    /// <param name="rate">The trial step length along the quasi-Newton direction (1 is the Newton step).</param>
    /// <param name="historySize">The number of pairs kept.</param>
    /// <param name="tolerance">The search has converged when an accepted step changes the loss or any pixel by less.</param>
    public LineSearchLbfgs(double rate, int historySize, double tolerance)
    {
        _rate = rate;
        _historySize = historySize;
        _tolerance = tolerance;
    }

    /// <summary>Gets a value indicating whether the last accepted step changed the loss or the pixels by less than the tolerance.</summary>
    public bool Converged { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the search cannot go on: the loss or gradient at the starting point is not finite, or
    /// no acceptable point was found even along the steepest descent with a step shortened a dozen times after a restart
    /// (the loss or gradient at the trials was not finite, see <see cref="LastTrialLoss"/>, or the point is a minimum to
    /// float precision, when <see cref="Converged"/> is set too).
    /// </summary>
    public bool Stalled { get; private set; }

    /// <summary>Gets the loss at the last point evaluated, accepted or not; NaN where its gradient was not finite.</summary>
    public double LastTrialLoss { get; private set; } = double.NaN;

    /// <summary>Gets the number of accepted steps.</summary>
    public int AcceptedSteps { get; private set; }

    /// <summary>
    /// Takes the loss and gradient at <paramref name="pixels"/> and moves the pixels to the next point to evaluate.
    /// </summary>
    /// <param name="pixels">The pixels the loss was evaluated at; changed in place (without autograd).</param>
    /// <param name="loss">The loss there.</param>
    /// <param name="gradient">Its gradient with respect to the pixels.</param>
    /// <returns>Whether the evaluated point was accepted (it is then the search's current point).</returns>
    public bool Advance(Tensor pixels, double loss, Tensor gradient)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = gradient.detach().reshape(-1).to(float32);
        if (!g.isfinite().all().item<bool>())
        {
            // A point whose gradient overflowed is as unusable as one whose loss did.
            loss = double.NaN;
        }

        LastTrialLoss = loss;
        if (_point is null)
        {
            if (!double.IsFinite(loss))
            {
                Stalled = true;
                return false;
            }

            Allocate(g);
            Accept(pixels, loss, g);
            Restart(g);
            _step = _rate * Math.Min(1, 1 / g.abs().sum().item<float>());
            MoveTo(pixels);
            return true;
        }

        // The step taken, and the decrease its first-order model promises.
        var trialRow = _freeRows.Peek();
        var s = Scaled(_direction!, _step, _steps!.select(0, trialRow));
        var promised = _gradient!.dot(s).item<float>();
        if (double.IsFinite(loss) && loss <= _loss + (SufficientDecrease * promised))
        {
            var y = _changes!.select(0, trialRow).copy_(g).sub_(_gradient!);
            var curvature = y.dot(s).item<float>();
            var previousLoss = _loss;
            Accept(pixels, loss, g);
            _restartedWithoutProgress = false;
            if (curvature > 1e-10)
            {
                Remember(curvature);
            }

            Converged = Math.Abs(previousLoss - loss) < _tolerance || s.abs().max().item<float>() < _tolerance;
            Steer(g);
            _step = _rate;
            MoveTo(pixels);
            return true;
        }

        if (++_backtracks > MaxBacktracks)
        {
            Stalled = _restartedWithoutProgress;
            Converged |= Stalled && double.IsFinite(loss);
            _restartedWithoutProgress = true;
            ForgetHistory();
            Restart(_gradient!);
            _step = _rate * Math.Min(1, 1 / _gradient!.abs().sum().item<float>());
        }
        else
        {
            // The minimiser of the quadratic through the loss and slope at the point and the loss at the trial,
            // kept within [0.1, 0.5] of the trial step so that the search neither stalls nor creeps.
            var rise = loss - _loss - promised;
            var shortened = double.IsFinite(loss) && rise > 0 ? -promised * _step / (2 * rise) : 0.1 * _step;
            _step = Math.Clamp(shortened, 0.1 * _step, 0.5 * _step);
        }

        MoveTo(pixels);
        return false;
    }

    /// <summary>The accepted point in the shape of the pixels (a view the caller's dispose scope owns), or null before the first evaluation.</summary>
    /// <param name="shape">The pixels' shape.</param>
    public Tensor? AcceptedView(long[] shape) => _point?.view(shape);

    /// <summary>Puts the accepted point (the lowest loss evaluated) into <paramref name="pixels"/>.</summary>
    /// <param name="pixels">The optimised pixels; changed in place (without autograd).</param>
    public void RestoreAccepted(Tensor pixels)
    {
        if (_point is null)
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        pixels.copy_(_point.view(pixels.shape));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _steps?.Dispose();
        _changes?.Dispose();
        _point?.Dispose();
        _gradient?.Dispose();
        _direction?.Dispose();
    }

    /// <summary>Every vector the search keeps, on the gradient's device: one row more than the history for a trial's pair.</summary>
    private void Allocate(Tensor g)
    {
        var length = g.size(0);
        _steps = empty([_historySize + 1, length], float32, g.device).DetachFromDisposeScope();
        _changes = empty([_historySize + 1, length], float32, g.device).DetachFromDisposeScope();
        _point = empty([length], float32, g.device).DetachFromDisposeScope();
        _gradient = empty([length], float32, g.device).DetachFromDisposeScope();
        _direction = empty([length], float32, g.device).DetachFromDisposeScope();
        for (var row = _historySize; row >= 0; row--)
        {
            _freeRows.Push(row);
        }
    }

    private void Accept(Tensor pixels, double loss, Tensor g)
    {
        _point!.view(pixels.shape).copy_(pixels.detach());
        _gradient!.copy_(g);
        _loss = loss;
        _backtracks = 0;
        AcceptedSteps++;
    }

    /// <summary>Keeps the trial's pair (written to the first free row), in place of the oldest when the history is full.</summary>
    private void Remember(double curvature)
    {
        var row = _freeRows.Pop();
        if (_history.Count == _historySize)
        {
            _freeRows.Push(_history[0].Row);
            _history.RemoveAt(0);
        }

        _history.Add((row, 1 / curvature));
    }

    /// <summary>The quasi-Newton direction at the accepted point; the steepest descent if that is not downhill.</summary>
    private void Steer(Tensor g)
    {
        var q = _direction!.copy_(g).neg_();
        var alphas = new double[_history.Count];
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            var (row, rho) = _history[i];
            alphas[i] = rho * _steps!.select(0, row).dot(q).item<float>();
            using var alpha = (-alphas[i]).ToScalar();
            q.add_(_changes!.select(0, row), alpha);
        }

        if (_history.Count > 0)
        {
            var latest = _history[^1].Row;
            var (s, y) = (_steps!.select(0, latest), _changes!.select(0, latest));
            using var scale = (s.dot(y).item<float>() / y.dot(y).item<float>()).ToScalar();
            q.mul_(scale);
        }

        for (var i = 0; i < _history.Count; i++)
        {
            var (row, rho) = _history[i];
            var beta = rho * _changes!.select(0, row).dot(q).item<float>();
            using var correction = (alphas[i] - beta).ToScalar();
            q.add_(_steps!.select(0, row), correction);
        }

        var slope = g.dot(q).item<float>();
        if (!(slope < 0) || !double.IsFinite(slope))
        {
            ForgetHistory();
            Restart(g);
        }
    }

    private void Restart(Tensor g) => _direction!.copy_(g).neg_();

    private void MoveTo(Tensor pixels)
    {
        using var step = _step.ToScalar();
        pixels.copy_(_point!.view(pixels.shape)).add_(_direction!.view(pixels.shape), step);
    }

    // The scalar is disposed here, not left to the garbage collector (see Internal.OwnedScalars).
    private static Tensor Scaled(Tensor direction, double step, Tensor into)
    {
        using var factor = step.ToScalar();
        return into.copy_(direction).mul_(factor);
    }

    private void ForgetHistory()
    {
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            _freeRows.Push(_history[i].Row);
        }

        _history.Clear();
    }
}
