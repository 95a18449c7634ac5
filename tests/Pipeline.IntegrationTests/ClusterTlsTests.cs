using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pipeline.IntegrationTests;

/// <summary>
/// Remoting with mutual TLS between real node processes: nodes whose certificates the cluster's CA signed form the
/// cluster and run a job with the same bytes; a node with a certificate from another CA cannot join.
/// </summary>
[Collection(PipelineProcesses.Name)]
public sealed class ClusterTlsTests(QuickstartFixture quickstart) : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<NodeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Tls_NodesOfTheClusterCa_RunTheJob_NodeWithAnotherCaCannotJoin()
    {
        var (clusterCa, clusterCaPem) = CreateCa("pipeline-test-cluster-ca", "cluster-ca.pem");
        var (otherCa, _) = CreateCa("pipeline-test-other-ca", "other-ca.pem");
        string[] Tls(X509Certificate2 ca, string name) => ["--tls-cert", CreateLeaf(ca, name), "--tls-password", "secret", "--tls-ca", clusterCaPem];

        var a = Start(null, "coordinator,worker", Tls(clusterCa, "node-a"));
        await a.WaitForAsync("node up", TimeSpan.FromSeconds(60));
        var b = Start(a.Address, "worker", Tls(clusterCa, "node-b"));
        await b.WaitForAsync("node up", TimeSpan.FromSeconds(60));

        // Signed by another CA: the cluster's nodes refuse the handshake, so it never becomes a member.
        var intruder = Start(a.Address, "worker", Tls(otherCa, "intruder"));
        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.DoesNotContain("node up", intruder.Output, StringComparison.Ordinal);

        var client = Tls(clusterCa, "client");
        var run = await PipelineCli.RunAsync(PipelineCli.RepoRoot, ["run", "jobs/quickstart.yaml", "--cluster", a.Address, "--output", _dir["tls"], .. client]);
        Assert.True(run.ExitCode == 0, run + "\n" + a.Output + "\n---\n" + b.Output);
        PipelineCli.AssertSameFiles(quickstart.Output, _dir["tls"]);
        Assert.DoesNotContain("task ", intruder.Output, StringComparison.Ordinal);

        var status = await PipelineCli.RunAsync(PipelineCli.RepoRoot, ["status", "--cluster", a.Address, .. Tls(clusterCa, "status")]);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal(2, status.Stdout.Split('\n').Count(l => l.StartsWith("member ", StringComparison.Ordinal)));
    }

    private NodeProcess Start(string? seed, string roles, string[] tls)
    {
        var node = NodeProcess.Start(seed, roles, 1, null, tls);
        _nodes.Add(node);
        return node;
    }

    private (X509Certificate2 Ca, string PemPath) CreateCa(string name, string file)
    {
        var key = RSA.Create(2048); // kept alive with the CA certificate, which signs the leaves
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(_dir[file], ca.ExportCertificatePem());
        return (ca, _dir[file]);
    }

    /// <summary>A certificate for 127.0.0.1 signed by <paramref name="ca"/>, as a password-protected .pfx.</summary>
    private string CreateLeaf(X509Certificate2 ca, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var path = _dir[name + ".pfx"];
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pfx, "secret"));
        return path;
    }
}
