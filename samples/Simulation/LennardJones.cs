namespace Simulation;

/// <summary>
/// A Lennard-Jones fluid in a periodic cubic box (reduced units: σ = ε = m = 1), integrated with
/// velocity Verlet. State is float32, exactly what the store keeps, so a run resumed from its last
/// stored frame continues bit for bit as if it had never stopped.
/// </summary>
public sealed class LennardJones
{
    private const float Cutoff = 2.5f;
    private const float TimeStep = 0.005f;
    private const double Density = 0.8;
    private const double Temperature = 1.0;

    private readonly int _atoms;
    private readonly float _box;
    private readonly float[] _forces;

    private LennardJones(int atoms, float[] positions, float[] velocities)
    {
        _atoms = atoms;
        _box = (float)Math.Cbrt(atoms / Density);
        Positions = positions;
        Velocities = velocities;
        _forces = new float[atoms * 3];
        Potential = ComputeForces();
    }

    /// <summary>Positions, atom-major (x, y, z per atom).</summary>
    public float[] Positions { get; }

    /// <summary>Velocities, atom-major.</summary>
    public float[] Velocities { get; }

    /// <summary>Potential energy of the current positions.</summary>
    public double Potential { get; private set; }

    /// <summary>Kinetic energy of the current velocities.</summary>
    public double Kinetic
    {
        get
        {
            var sum = 0.0;
            foreach (var v in Velocities)
            {
                sum += (double)v * v;
            }

            return 0.5 * sum;
        }
    }

    /// <summary>A fresh run: atoms on a face-centred cubic lattice, velocities drawn from <paramref name="seed"/> at temperature 1, no net momentum.</summary>
    public static LennardJones Start(int atoms, int seed)
    {
        // FCC: 4 sites per cell, enough cells to hold every atom; atoms take evenly spaced sites so
        // none start closer than the lattice allows (4 × 4 × 4 cells hold 256 atoms exactly).
        var box = Math.Cbrt(atoms / Density);
        var cells = (int)Math.Ceiling(Math.Cbrt(atoms / 4.0));
        var cell = box / cells;
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var sites = 4 * cells * cells * cells;
        var positions = new float[atoms * 3];
        for (var i = 0; i < atoms; i++)
        {
            var site = (int)((long)i * sites / atoms);
            var (c, b) = (site / 4, site % 4);
            positions[(i * 3) + 0] = (float)((c % cells + basis[b][0] + 0.25) * cell);
            positions[(i * 3) + 1] = (float)((c / cells % cells + basis[b][1] + 0.25) * cell);
            positions[(i * 3) + 2] = (float)((c / (cells * cells) + basis[b][2] + 0.25) * cell);
        }

        var random = new Random(seed);
        var velocities = new double[atoms * 3];
        for (var i = 0; i < velocities.Length; i++)
        {
            // Box-Muller: a standard normal from two uniforms.
            velocities[i] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }

        for (var axis = 0; axis < 3; axis++)
        {
            var mean = 0.0;
            for (var i = 0; i < atoms; i++)
            {
                mean += velocities[(i * 3) + axis];
            }

            mean /= atoms;
            for (var i = 0; i < atoms; i++)
            {
                velocities[(i * 3) + axis] -= mean;
            }
        }

        var kinetic = 0.5 * velocities.Sum(v => v * v);
        var scale = Math.Sqrt(1.5 * atoms * Temperature / kinetic);
        return new LennardJones(atoms, positions, [.. velocities.Select(v => (float)(v * scale))]);
    }

    /// <summary>Continues from a stored frame.</summary>
    public static LennardJones Resume(float[] positions, float[] velocities) => new(positions.Length / 3, positions, velocities);

    /// <summary>Advances <paramref name="steps"/> velocity Verlet steps.</summary>
    public void Step(int steps)
    {
        var half = 0.5f * TimeStep;
        for (var step = 0; step < steps; step++)
        {
            for (var i = 0; i < Positions.Length; i++)
            {
                Velocities[i] += half * _forces[i];
                var x = Positions[i] + (TimeStep * Velocities[i]);
                Positions[i] = x - (_box * MathF.Floor(x / _box));
            }

            Potential = ComputeForces();
            for (var i = 0; i < Velocities.Length; i++)
            {
                Velocities[i] += half * _forces[i];
            }
        }
    }

    // Pair forces within the cutoff under the minimum image convention; returns the potential energy
    // (shifted so it is zero at the cutoff).
    private double ComputeForces()
    {
        Array.Clear(_forces);
        const float cutoff2 = Cutoff * Cutoff;
        var shift = 4.0 * (Math.Pow(Cutoff, -12) - Math.Pow(Cutoff, -6));
        var potential = 0.0;
        var p = Positions;
        for (var i = 0; i < _atoms - 1; i++)
        {
            float xi = p[i * 3], yi = p[(i * 3) + 1], zi = p[(i * 3) + 2];
            float fx = 0, fy = 0, fz = 0;
            for (var j = i + 1; j < _atoms; j++)
            {
                var dx = MinimumImage(xi - p[j * 3]);
                var dy = MinimumImage(yi - p[(j * 3) + 1]);
                var dz = MinimumImage(zi - p[(j * 3) + 2]);
                var r2 = (dx * dx) + (dy * dy) + (dz * dz);
                if (r2 >= cutoff2)
                {
                    continue;
                }

                var inv2 = 1f / r2;
                var inv6 = inv2 * inv2 * inv2;
                var scalar = 24f * inv2 * inv6 * ((2f * inv6) - 1f);
                fx += scalar * dx;
                fy += scalar * dy;
                fz += scalar * dz;
                _forces[j * 3] -= scalar * dx;
                _forces[(j * 3) + 1] -= scalar * dy;
                _forces[(j * 3) + 2] -= scalar * dz;
                potential += (4.0 * inv6 * (inv6 - 1.0)) - shift;
            }

            _forces[i * 3] += fx;
            _forces[(i * 3) + 1] += fy;
            _forces[(i * 3) + 2] += fz;
        }

        return potential;
    }

    private float MinimumImage(float d) => d - (_box * MathF.Round(d / _box));
}
