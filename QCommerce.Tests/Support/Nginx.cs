using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace QCommerce.Tests.Support;

/// <summary>
/// Debian's nginx (<c>./test.sh</c> installs it) run in front of app instances with the repository's own configuration,
/// <c>deploy/nginx/templates/qcommerce.conf.template</c>, its <c>${…}</c> filled as the nginx image fills them. The
/// configuration is checked with <c>nginx -t</c> first; the server runs in the foreground in a folder of its own and stops
/// with the test.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _folder;

    private Nginx(Process process, DirectoryInfo folder, Uri address) => (_process, _folder, Address) = (process, folder, address);

    public Uri Address { get; }

    public static async Task<Nginx> StartAsync(params Uri[] instances)
    {
        var binary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        Assert.True(binary is not null, "nginx is not installed: ./test.sh installs Debian's nginx package, or run apt-get install nginx");
        Assert.Equal(2, instances.Length); // the template names two upstream servers
        var folder = Directory.CreateTempSubdirectory("qcommerce-nginx-");
        // Workers run as nobody: they write their temporary files here (nginx is a Linux test: Debian's package).
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_111_111);
        var port = FreePort();
        var site = (await File.ReadAllTextAsync(Path.Combine(Artifacts.RepositoryRoot(), "deploy", "nginx", "templates", "qcommerce.conf.template")))
            .Replace("${QC_APP_1}", instances[0].Authority).Replace("${QC_APP_2}", instances[1].Authority).Replace("${QC_LISTEN}", $"127.0.0.1:{port}");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "qcommerce.conf"), site);
        var temp = folder.FullName;
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "nginx.conf"), $$"""
            worker_processes 1;
            pid {{temp}}/nginx.pid;
            error_log {{temp}}/error.log warn;
            events { worker_connections 1024; }
            http {
                log_format qcommerce '$cookie_qc_node $upstream_addr $request_method $uri $status';
                access_log {{temp}}/access.log qcommerce;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                include {{temp}}/qcommerce.conf;
            }
            """);
        var conf = Path.Combine(temp, "nginx.conf");
        var check = await RunAsync(binary!, $"-t -p {temp} -c {conf}");
        Assert.True(check.ExitCode == 0, $"nginx -t refused the configuration: {check.Output}");

        var process = Process.Start(new ProcessStartInfo(binary!, $"-p {temp} -c {conf} -g \"daemon off;\"")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var nginx = new Nginx(process, folder, new Uri($"http://127.0.0.1:{port}"));
        await Eventually.Async(async () =>
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                if (process.HasExited) Assert.Fail($"nginx stopped: {await process.StandardError.ReadToEndAsync()}");
                return false;
            }
        }, up => up, "nginx to listen");
        return nginx;
    }

    /// <summary>What nginx passed on, a line a request: the browser's <c>qc_node</c> cookie, the instance, the method, path and status.</summary>
    public IReadOnlyList<(string Node, string Instance, string Method, string Path, string Status)> AccessLog =>
        File.ReadAllLines(Path.Combine(_folder.FullName, "access.log")).Select(l => l.Split(' ')).Where(f => f.Length >= 5)
            .Select(f => (f[0], f[1], f[2], f[3], f[4])).ToList();

    public string ErrorLog => File.Exists(Path.Combine(_folder.FullName, "error.log")) ? File.ReadAllText(Path.Combine(_folder.FullName, "error.log")) : "";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _folder.Delete(recursive: true);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
