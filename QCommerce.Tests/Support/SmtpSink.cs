using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace QCommerce.Tests.Support;

/// <summary>
/// A real SMTP server on a loopback port, in the test process: the app's messages arrive over the wire as at any relay, and
/// are kept as MIME messages to read. It can be told to answer the next messages with a failure, for a while (451, tried
/// again) or for good (550).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _failNext;
    private SmtpReplyCode _failWith;

    public SmtpSink()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>Every message received, in order.</summary>
    public ConcurrentQueue<MimeMessage> Received { get; } = new();

    /// <summary>The app's settings that send through this server (no TLS: it is on this host).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Mail:Smtp:Host"] = "127.0.0.1", ["Mail:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Mail:Smtp:Security"] = "None",
    };

    /// <summary>The next <paramref name="count"/> messages are refused with <paramref name="code"/> (451: try later; 550: never).</summary>
    public void FailNext(int count, int code = 451)
    {
        _failWith = (SmtpReplyCode)code;
        Volatile.Write(ref _failNext, count);
    }

    public int Refused { get; private set; }

    /// <summary>The messages to <paramref name="to"/>, once at least <paramref name="count"/> have arrived.</summary>
    public Task<IReadOnlyList<MimeMessage>> AwaitAsync(string to, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Async(() => Task.FromResult<IReadOnlyList<MimeMessage>>(To(to)), list => list.Count >= count,
            $"{count} message(s) to {to} at the SMTP server", timeout);

    public IReadOnlyList<MimeMessage> To(string to) =>
        Received.Where(m => m.To.Mailboxes.Any(a => string.Equals(a.Address, to, StringComparison.OrdinalIgnoreCase))).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref sink._failNext) >= 0)
            {
                sink.Refused++;
                return new SmtpResponse(sink._failWith, "refused by the test");
            }
            await using var stream = new MemoryStream();
            foreach (var segment in buffer) stream.Write(segment.Span);
            stream.Position = 0;
            sink.Received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
