// JasperFx's command line discovers commands in assemblies marked with this attribute.
[assembly: JasperFx.JasperFxAssembly]
