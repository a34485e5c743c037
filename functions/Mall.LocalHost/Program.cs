Console.WriteLine("local host placeholder");
