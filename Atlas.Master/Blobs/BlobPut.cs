namespace Atlas.Master.Blobs;

/// <summary>What became of one uploaded blob.</summary>
public enum BlobPut
{
    /// <summary>Checked and stored.</summary>
    Stored,

    /// <summary>The caller had it already; the upload was checked and dropped.</summary>
    Existed,

    /// <summary>Larger than the limit; nothing was kept.</summary>
    TooLarge,

    /// <summary>The bytes do not hash to the name; nothing was kept.</summary>
    Mismatch,
}
