# QCommerce: one ASP.NET Core host (storefront, /v1 API, PSP webhook). Multi-stage: build with the
# SDK, run on the smaller ASP.NET runtime image as a non-root user, listening on 8080.
#   docker build -t qcommerce .
#   docker run -p 8080:8080 -v qcommerce-data:/app/data qcommerce
# PostgreSQL instead of the embedded SQLite file:
#   -e Database__Provider=Postgres -e ConnectionStrings__Postgres="Host=…;Database=qcommerce;Username=…;Password=…"
# Two instances behind nginx, with Prometheus and Grafana: compose.yaml.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY Directory.Build.props Directory.Packages.props QCommerce.sln appsettings.json ./
COPY QCommerce.Core/QCommerce.Core.csproj QCommerce.Core/
COPY QCommerce.Web/QCommerce.Web.csproj QCommerce.Web/
RUN dotnet restore QCommerce.Web/QCommerce.Web.csproj -r linux-x64
COPY QCommerce.Core/ QCommerce.Core/
COPY QCommerce.Web/ QCommerce.Web/
# ReadyToRun: the code is compiled ahead of time, so a new container serves its first page about a second sooner
# (measured 3.4 s to 2.4 s) and the JIT is not busy under the first minutes of load.
RUN dotnet publish QCommerce.Web/QCommerce.Web.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_RUNNING_IN_CONTAINER=true
COPY --from=build /app ./
# The SQLite file (and anything else the app keeps) lives in /app/data: a volume, writable by the app user. Several
# instances (compose.yaml) share /app/shared instead: the sandbox PSP's state and the uploaded pictures.
RUN mkdir -p /app/data /app/shared && chown -R $APP_UID /app/data /app/shared
VOLUME ["/app/data"]
USER $APP_UID
EXPOSE 8080
# Orchestrators probe GET /health/live (process up) and GET /health/ready (dependencies reachable).
ENTRYPOINT ["dotnet", "QCommerce.Web.dll"]
