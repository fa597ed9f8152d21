namespace EventLeaderboard.Ranking;

/// <summary>A snapshot is corrupt, truncated or of an unknown format version; nothing was loaded.</summary>
public sealed class SnapshotFormatException : Exception
{
    /// <summary>Creates the exception with a message saying what is wrong with the input.</summary>
    public SnapshotFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    public SnapshotFormatException(string message, Exception innerException) : base(message, innerException) { }
}
