using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for download tests. Every connection serves one
/// request (<c>Connection: close</c>) through a handler that writes the raw response, so a test controls truncation,
/// stalls and dropped connections. The server stops by itself after <c>lifetime</c> or <c>maxConnections</c> connections.
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop;
    private readonly Func<HttpExchange, Task> _handler;
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private int _requests;

    public TestHttpServer(Func<HttpExchange, Task> handler, int maxConnections = 8, TimeSpan? lifetime = null)
    {
        _handler = handler;
        _stop = new CancellationTokenSource(lifetime ?? TimeSpan.FromSeconds(30));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(maxConnections));
    }

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}/models/weights.pth");

    /// <summary>Gets the number of requests whose head was read.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Gets a task that completes when the first request arrives.</summary>
    public Task FirstRequest => _firstRequest.Task;

    /// <summary>Serves <paramref name="body"/> with a correct Content-Length.</summary>
    public static Func<HttpExchange, Task> File(byte[] body)
        => async x =>
        {
            await x.SendHeadAsync(200, "OK", body.Length);
            await x.SendAsync(body);
        };

    /// <summary>Answers with an error status and a short text body.</summary>
    public static Func<HttpExchange, Task> Status(int code, string reason)
        => async x =>
        {
            var body = Encoding.ASCII.GetBytes(reason);
            await x.SendHeadAsync(code, reason, body.Length);
            await x.SendAsync(body);
        };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        var all = Task.WhenAll(_acceptLoop, Task.WhenAll(_connections));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(int maxConnections)
    {
        try
        {
            for (var i = 0; i < maxConnections; i++)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _connections.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
        finally
        {
            _listener.Stop();
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                headTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                var requestLine = await ReadRequestLineAsync(stream, headTimeout.Token);
                if (requestLine is null)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                _firstRequest.TrySetResult();
                var exchange = new HttpExchange(client, stream, requestLine, _stop.Token);
                await _handler(exchange);
                if (!exchange.Aborted)
                {
                    client.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    // Reads up to the blank line that ends the request head and returns the request line.
    private static async Task<string?> ReadRequestLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new byte[MaxHeadBytes];
        var length = 0;
        while (length < head.Length)
        {
            var count = await stream.ReadAsync(head.AsMemory(length), cancellationToken);
            if (count == 0)
            {
                return null;
            }

            length += count;
            var text = Encoding.ASCII.GetString(head, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
            }
        }

        return null;
    }
}

/// <summary>One request on a <see cref="TestHttpServer"/>: writes the raw response.</summary>
internal sealed class HttpExchange(TcpClient client, NetworkStream stream, string requestLine, CancellationToken stopping)
{
    public string RequestLine { get; } = requestLine;

    /// <summary>Gets a token cancelled when the server stops.</summary>
    public CancellationToken Stopping { get; } = stopping;

    public bool Aborted { get; private set; }

    public Task SendHeadAsync(int status, string reason, long? contentLength)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n")
            .Append("Content-Type: application/octet-stream\r\n")
            .Append("Connection: close\r\n");
        if (contentLength is { } length)
        {
            head.Append("Content-Length: ").Append(length).Append("\r\n");
        }

        return SendAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        await stream.WriteAsync(data, Stopping);
        await stream.FlushAsync(Stopping);
    }

    /// <summary>Sends <paramref name="data"/> in chunks with a pause before each chunk after the first.</summary>
    public async Task SendSlowlyAsync(ReadOnlyMemory<byte> data, int chunkSize, TimeSpan pause)
    {
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            if (offset > 0)
            {
                await Task.Delay(pause, Stopping);
            }

            await SendAsync(data.Slice(offset, Math.Min(chunkSize, data.Length - offset)));
        }
    }

    /// <summary>Waits, sending nothing, until the server stops or <paramref name="limit"/> passes.</summary>
    public async Task IdleAsync(TimeSpan limit)
    {
        try
        {
            await Task.Delay(limit, Stopping);
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
    }

    /// <summary>Drops the connection with a TCP reset instead of an orderly close.</summary>
    public void Abort()
    {
        Aborted = true;
        client.LingerState = new LingerOption(true, 0);
        client.Client.Close();
    }
}
