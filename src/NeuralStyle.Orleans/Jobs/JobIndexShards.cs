using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orleans;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>
/// The job index in <see cref="Count"/> grains, a job's shard chosen by a stable hash of its id: submits and finishes
/// spread over the shards instead of queueing on one grain, and each sweep asks every shard for its due jobs.
/// </summary>
internal static class JobIndexShards
{
    /// <summary>The number of index grains (keys 0 to Count − 1); fixed, since a job's shard must not change while it is indexed.</summary>
    public const int Count = 16;

    /// <summary>Gets the shard of a job: the same on every silo and in every process.</summary>
    public static int Of(string jobId) => (int)(BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(jobId))) % Count);

    /// <summary>Gets the index grain that holds a job.</summary>
    public static IJobIndexGrain For(IGrainFactory grains, string jobId) => grains.GetGrain<IJobIndexGrain>(Of(jobId));

    /// <summary>Gets every index grain.</summary>
    public static IJobIndexGrain[] All(IGrainFactory grains)
    {
        var shards = new IJobIndexGrain[Count];
        for (var i = 0; i < Count; i++)
        {
            shards[i] = grains.GetGrain<IJobIndexGrain>(i);
        }

        return shards;
    }
}
