using SnapshotService.Hashing;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using static SnapshotService.Core.Tests.Simulated.SimulatedTestData;

namespace SnapshotService.Core.Tests.Simulated;

public sealed class SimulatedDocumentHashingTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(1_024)]
    [InlineData(8_192)]
    public void simulated_documents_are_already_in_the_content_hashers_canonical_form(int documentBytes)
    {
        var history = new SimulatedHistory(Options(keySpace: 2_000, documentBytes: documentBytes, maxChanges: 6_000));

        for (long n = 1; n <= 6_000; n += 97)
        {
            var change = history.ChangeAt(n);
            if (change.Operation == ChangeOperation.Upsert)
            {
                Assert.Equal(change.Document.ToArray(), ContentHasher.Canonicalize(change.Document.Span, ContentHashOptions.Default));
            }
        }
    }

    [Fact]
    public void every_version_of_a_key_has_its_own_content_hash()
    {
        var history = new SimulatedHistory(Options(keySpace: 10, maxChanges: 2_000, deletePercent: 0));

        var hashes = Enumerable.Range(1, 2_000)
            .Select(n => history.ChangeAt(n))
            .Select(c => ContentHasher.Hash(c.Document.Span, ContentHashOptions.Default))
            .ToList();

        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }
}
