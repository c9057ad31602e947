using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Store.Core.Tests;

/// <summary>
/// A throwaway PostgreSQL server for tests: a fresh cluster in a temp folder (Debian's server
/// binaries, which test.sh installs when missing), listening on 127.0.0.1 only at a free port,
/// with fsync off (its data is thrown away), journal events compressed with lz4 and glibc's malloc
/// keeping large blocks (<see cref="ServerMalloc"/>) as README's cluster section recommends, trust authentication for the user <c>store</c>, and its socket in the temp folder. <see cref="Dispose"/> stops it and deletes the folder. As root,
/// the server runs as the <c>postgres</c> user (<c>initdb</c> refuses root).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>
    /// The server's malloc settings: blocks up to 32 MiB come from the heap, which keeps up to 1 GiB
    /// free. With glibc's defaults a backend maps fresh memory for each copy of every journal event of
    /// hundreds of kB and unmaps it afterwards, and faulting those pages in was a large share of the
    /// server's work (README, cluster mode).
    /// </summary>
    private static readonly string[] ServerMalloc = ["MALLOC_MMAP_THRESHOLD_=33554432", "MALLOC_TRIM_THRESHOLD_=1073741824"];

    private readonly string _folder;
    private readonly string _bin;
    private int _databases;

    private PostgresServer(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Starts a new server; throws, with the server's log, when it cannot.</summary>
    public static PostgresServer Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderBy(b => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : new Version(0, 0)).LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin; run ./test.sh, which installs the postgresql package.");
        }

        var folder = Directory.CreateTempSubdirectory("store-pg-").FullName;
        var server = new PostgresServer(folder, bin, FreePort());
        try
        {
            if (Environment.UserName == "root")
            {
                Run("chown", "postgres:", folder);
            }

            server.RunServerTool("initdb", "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "store", "-E", "UTF8", "--no-sync");
            server.RunServerTool(
                "pg_ctl", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
                "-o", $"-c listen_addresses=127.0.0.1 -p {server.Port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c default_toast_compression=lz4",
                "start");
            return server;
        }
        catch (Exception e)
        {
            var log = Path.Combine(folder, "server.log");
            var tail = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
            server.Dispose();
            throw new InvalidOperationException($"PostgreSQL did not start: {e.Message}\n{tail}", e);
        }
    }

    /// <summary>A connection string for <paramref name="database"/> (pooling off, so a dropped database has no idle connections).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=store;Pooling=false;Timeout=30;Command Timeout=60";

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public string CreateDatabase(string prefix = "store")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    /// <summary>Stops the server (fast shutdown) and deletes its folder.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(_folder, "data", "postmaster.pid")))
            {
                RunServerTool("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "-t", "30", "stop");
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A free TCP port on 127.0.0.1 (for a server or node that binds it moments later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void RunServerTool(string tool, params string[] arguments)
    {
        string[] command = ["env", .. ServerMalloc, Path.Combine(_bin, tool), .. arguments];
        if (Environment.UserName == "root")
        {
            Run("runuser", ["-u", "postgres", "--", .. command]);
        }
        else
        {
            Run(command[0], command[1..]);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in 90 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}{output.Result}");
        }
    }
}
