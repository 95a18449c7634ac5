using Pipeline.Storage.Azure;

namespace Pipeline.Storage.Tests.Azure;

/// <summary>Parsing Azure locations and resolving them to stores; nothing here contacts a server.</summary>
public sealed class AzureLocationTests
{
    private static readonly AzureStoreOptions NoCredentials = new();

    [Fact]
    public void Parse_ShortForm_SplitsAccountContainerPrefix()
    {
        var a = AzureBlobAddress.Parse("az://MyAcct/corpus/web/2024/");
        Assert.Equal(("myacct", "corpus", "web/2024"), (a.Account, a.Container, a.Path));
        Assert.Null(a.ServiceUri);
        Assert.Equal("az://myacct/corpus/web/2024", a.ToString());
        Assert.Equal("az://MyAcct/corpus/web/2024/x.jsonl", a.Display("web/2024/x.jsonl"));
    }

    [Fact]
    public void Parse_VirtualHostHttps_UsesThatEndpoint()
    {
        var a = AzureBlobAddress.Parse("https://acct1.blob.core.windows.net/data/in/*.jsonl.gz");
        Assert.Equal(("acct1", "data", "in/*.jsonl.gz"), (a.Account, a.Container, a.Path));
        Assert.Equal(new Uri("https://acct1.blob.core.windows.net"), a.ServiceUri);
        Assert.Equal("https://acct1.blob.core.windows.net/data/in", a.Display("in"));
    }

    [Fact]
    public void Parse_PathStyleEmulator_TakesAccountFromPath()
    {
        var a = AzureBlobAddress.Parse("http://127.0.0.1:10000/devstoreaccount1/out/job");
        Assert.Equal(("devstoreaccount1", "out", "job"), (a.Account, a.Container, a.Path));
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), a.ServiceUri);
    }

    [Fact]
    public void Parse_QueryString_RejectedWithoutEchoingTheToken()
    {
        var ex = Assert.Throws<StorageException>(() => AzureBlobAddress.Parse("https://acct1.blob.core.windows.net/data/x?sv=2024&sig=c2VjcmV0LXNpZw%3D%3D"));
        Assert.DoesNotContain("c2VjcmV0LXNpZw", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", ex.Message, StringComparison.Ordinal);
        Assert.Contains(AzureStoreOptions.SasTokenVariable, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("az://ab/container/x", "account")]
    [InlineData("az://acct1/Upper/x", "container")]
    [InlineData("az://acct1", "container")]
    [InlineData("az://acct1/a--b/x", "container")]
    public void Parse_InvalidNames_ClearError(string uri, string what)
    {
        var ex = Assert.Throws<StorageException>(() => AzureBlobAddress.Parse(uri));
        Assert.Contains($"invalid {(what == "account" ? "storage account" : "container")} name", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("az://a/b/c", true)]
    [InlineData("https://acct.blob.core.windows.net/c/p", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/c", true)]
    [InlineData("https://example.com/c/p", false)]
    [InlineData("samples/web/*.jsonl.gz", false)]
    [InlineData("file:///data/x", false)]
    public void IsAzureUri_RecognizesTheAcceptedForms(string uri, bool expected) => Assert.Equal(expected, BlobLocation.IsAzure(uri));

    [Fact]
    public void ForInput_AzureGlob_StoreRootedAtLiteralPrefixWithGlob()
    {
        var loc = BlobLocation.ForInput("az://acct1/corpus/samples/web/*.jsonl.gz", "/ignored", NoCredentials);
        var store = Assert.IsType<AzureBlobStore>(loc.Store);
        Assert.Equal("samples/web", store.Address.Path);
        Assert.Equal("*.jsonl.gz", loc.Glob);
        Assert.Equal("az://acct1/corpus/samples/web", loc.DisplayPrefix);
        Assert.Equal("az://acct1/corpus/samples/web/a.jsonl.gz", loc.Display("a.jsonl.gz"));
        Assert.Equal("az://acct1/corpus/samples/web/a.jsonl.gz", store.Describe("a.jsonl.gz"));
        Assert.Equal("https://acct1.blob.core.windows.net", store.Endpoint);
        Assert.Contains("DefaultAzureCredential", store.Authentication, StringComparison.Ordinal);
    }

    [Fact]
    public void ForOutput_Azure_StoreRootedAtPrefix()
    {
        var loc = BlobLocation.ForOutput("az://acct1/out/jobs/quickstart/", "/ignored", NoCredentials);
        var store = Assert.IsType<AzureBlobStore>(loc.Store);
        Assert.Equal("jobs/quickstart", store.Address.Path);
        Assert.Equal("az://acct1/out/jobs/quickstart/manifest.json", store.Describe("manifest.json"));
    }

    [Fact]
    public void ForOutput_ConnectionStringForOtherAccount_FallsBackAndNeverShowsIt()
    {
        const string key = "b3RoZXItYWNjb3VudC1rZXktbm90LWZvci1wcmludGluZw==";
        var options = new AzureStoreOptions { ConnectionString = $"DefaultEndpointsProtocol=https;AccountName=other;AccountKey={key};EndpointSuffix=core.windows.net" };
        var store = (AzureBlobStore)BlobLocation.ForOutput("az://acct1/out/x", "/ignored", options).Store;
        Assert.Contains("DefaultAzureCredential", store.Authentication, StringComparison.Ordinal);
        Assert.DoesNotContain(key, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForOutput_MalformedConnectionString_FailsWithoutQuotingIt()
    {
        var options = new AzureStoreOptions { ConnectionString = "AccountName=acct1;AccountKey=not base64 !!!;garbage" };
        var ex = Assert.Throws<StorageException>(() => BlobLocation.ForOutput("az://acct1/out/x", "/ignored", options));
        Assert.Contains(AzureStoreOptions.ConnectionStringVariable, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ForOutput_HttpEndpointWithoutSecret_ExplainsWhatToSet()
    {
        var ex = Assert.Throws<StorageException>(() => BlobLocation.ForOutput("http://127.0.0.1:10000/devstoreaccount1/out/x", "/ignored", NoCredentials));
        Assert.Contains(AzureStoreOptions.ConnectionStringVariable, ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);
    }
}
