Console.WriteLine("load generator: not yet written");
