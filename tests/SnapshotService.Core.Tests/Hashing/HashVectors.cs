namespace SnapshotService.Core.Tests.Hashing;

/// <summary>
/// The content-hash test vectors. docs/export-format.md shows the same table; a test checks that
/// the two agree, so the spec and the code cannot drift apart.
/// </summary>
public static class HashVectors
{
    public sealed record Vector(int Number, string Options, string Input, string Canonical, string Hash);

    public static readonly IReadOnlyList<Vector> All =
    [
        new(1, "default", """{"b":1,"a":2}""", """{"a":2,"b":1}""", "6e96b31968533d652605834fa898e304"),
        new(2, "default", """{ "a" : [ 1 , 2 ] ,"b":{ } }""", """{"a":[1,2],"b":{}}""", "cd3d191e70d97d6d5f95482f54f572e4"),
        new(3, "default", """{"z":{"y":1,"x":[{"b":true,"a":null}]},"a":"s"}""", """{"a":"s","z":{"x":[{"a":null,"b":true}],"y":1}}""", "ef582a5017dcf09b7fdb897bf5e63425"),
        new(4, "default", """{"s":"\u00e9\u0041\/\n"}""", """{"s":"éA/\n"}""", "bac1ce95683c19d71d0059bf55187293"),
        new(5, "default", """{"e":"\ud83d\ude00","c":"tab\t\u0001\u001F"}""", """{"c":"tab\t\u0001\u001f","e":"😀"}""", "7d2666cd636d6751cda2dd1bb8965b25"),
        new(6, "default", """{"n":[1.0,1e2,-0,-0.0,0.5,1E-7,123456789012345678901,9007199254740993,2.5e15]}""", """{"n":[1,100,0,0,0.5,1E-07,1.2345678901234568E+20,9007199254740993,2500000000000000]}""", "804938a888f5ca5f6780bfaaa945d57c"),
        new(7, "default", """{"é":1,"z":2,"Z":3,"a":4,"\u0062":5}""", """{"Z":3,"a":4,"b":5,"z":2,"é":1}""", "272f85db6396d0a9de65d440d7490200"),
        new(8, "default", """{"a":1,"b":2,"a":3}""", """{"a":3,"b":2}""", "674f69d9f62571f4859b181f76e35f0e"),
        new(9, "cosmos", """{"id":"1","_etag":"\"0a00\"","_ts":1700000000,"v":{"_ts":1}}""", """{"id":"1","v":{"_ts":1}}""", "c71e24691a45e525bceafa7c53bb0e66"),
        new(10, "default", """[3,"x",{"b":[],"a":false}]""", """[3,"x",{"a":false,"b":[]}]""", "43e08c876b64830c876753ad0efcebbe"),
    ];
}
